DROP INDEX {{ i.name|ident }}

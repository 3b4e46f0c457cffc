CREATE TABLE {{ table|ident }} (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT {{ pk|ident }} PRIMARY KEY (version_num)
);

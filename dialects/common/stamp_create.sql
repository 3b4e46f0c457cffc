CREATE TABLE IF NOT EXISTS {{ table|ident }} (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT {{ pk|ident }} PRIMARY KEY (version_num)
);

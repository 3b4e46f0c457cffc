CREATE TABLE {% if if_not_exists %}IF NOT EXISTS {% endif %}{{ table|ident }} (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT {{ pk|ident }} PRIMARY KEY (version_num)
);

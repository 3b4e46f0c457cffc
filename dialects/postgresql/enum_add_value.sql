ALTER TYPE {{ name|ident }} ADD VALUE {{ value|literal }}{% if after is not none %} AFTER {{ after|literal }}{% elif before is not none %} BEFORE {{ before|literal }}{% endif %};

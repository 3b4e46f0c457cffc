ALTER TABLE {{ table|ident }} ADD {% include "constraint.sql" %};

{% if compound %}
{# The mysql client splits on ';': a compound body needs another delimiter. #}
DELIMITER $$
{{ sql }}$$
DELIMITER ;
{% else %}
{{ sql }};
{% endif %}

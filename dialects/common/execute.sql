{{ sql }};

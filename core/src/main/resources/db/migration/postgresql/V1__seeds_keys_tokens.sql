-- placeholder, replaced by the store work
CREATE TABLE schema_probe (id INTEGER PRIMARY KEY);

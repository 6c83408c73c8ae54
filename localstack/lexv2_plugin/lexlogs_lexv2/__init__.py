"""Lex V2 model-building API for LocalStack community, backed by moto's lexv2models backend."""

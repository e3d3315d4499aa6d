"""The ground floor: models, errors, configuration, the plan, arXiv's calendar and taxonomy, redaction."""

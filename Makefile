# One command for lint, types and tests: `make check` (after `pip install -e ".[test]"`).
.PHONY: check
check:
	ruff check .
	ruff format --check .
	mypy digest
	zizmor --offline --persona auditor docs/github-actions.yml
	python -m pytest

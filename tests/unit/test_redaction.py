import logging

from connector_kit.redaction import MASK, SecretRedactor


def test_redactor_masks_messages_arguments_and_tracebacks():
    redactor = SecretRedactor()
    redactor.add("hunter22", "tok-abc123", None, "")
    logger = logging.getLogger("redaction-test")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(redactor)
    logger.addHandler(handler)
    try:
        logger.warning("password is %s", "hunter22")
        try:
            raise ValueError("token tok-abc123 refused")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert records[0].getMessage() == f"password is {MASK}"
    assert "tok-abc123" not in (records[1].exc_text or "")
    assert MASK in records[1].exc_text


def test_short_values_are_not_treated_as_secrets():
    redactor = SecretRedactor()
    redactor.add("ab")
    assert redactor.redact("abc") == "abc"

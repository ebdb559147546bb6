"""Template filters for the family pages (registered app-wide by the blueprint)."""


def day_month_year(day) -> str:
    """GOV.UK date style: 5 January 2024."""
    return f"{day.day} {day:%B %Y}" if day else ""


def sentence(text) -> str:
    """The engine's reasons are clauses ("no accepted evidence ..."); shown as sentences."""
    text = str(text).strip()
    if not text:
        return ""
    return f"{text[:1].upper()}{text[1:]}" + ("" if text.endswith(".") else ".")


def with_article(word) -> str:
    """'an indicator', 'a family need': plans name things differently."""
    return f"{'an' if str(word)[:1].lower() in 'aeiou' else 'a'} {word}"


FILTERS = {"day_month_year": day_month_year, "sentence": sentence, "with_article": with_article}

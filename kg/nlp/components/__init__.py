"""spaCy components of the kg pipeline, one per file; importing this registers their factories."""
from kg.nlp.components import (  # noqa: F401
    alias_finder,
    article_splitter,
    branch_finder,
    finance_finder,
    mention_resolver,
    metric_finder,
    named_item_finder,
    part_of_finder,
    partner_finder,
    partnership_finder,
    person_finder,
    program_link_finder,
    quoted_name_finder,
    sentence_splitter,
    span_writer,
    works_at_finder,
)

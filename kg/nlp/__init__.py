"""The spaCy pipeline: tokenizer, components, word lists, names, numbers, record assembly."""

"""Text input help for the touchscreen: the offline pinyin engine."""

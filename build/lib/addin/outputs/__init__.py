"""Writers of what people and banks receive; every file is written atomically."""

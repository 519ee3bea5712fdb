"""Renderers of a label scene: raster (Pillow, 1-bit or greyscale preview), PDF, and the
tight text-line bitmaps the printer-language encoders send for text the printer has no
resident font for."""

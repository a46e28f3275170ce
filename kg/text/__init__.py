"""Reading pages: files, cleaning, article segmentation."""

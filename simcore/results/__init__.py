"""What a traffic run produces, declared once: the time series (``series``) and the typed row
of one simulated second (``rows``)."""

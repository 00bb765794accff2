"""The simulation panel: run toolbar, worker processes, live plots, saturation sweep.

``worker`` runs in the worker processes and stays free of Qt; ``processes`` starts, reads and
ends them; ``panel`` (the controls and the run's life), ``plots``, ``sweep_plot``, ``style`` and
``summary`` are the window's side.
"""

"""The HTML report of a results folder, and the plotly figures it is made of.

:func:`plazasim.report.maps.control_map` is the interactive control map (also used by
the dashboard); :func:`plazasim.report.html.write_report` writes ``report.html``.
"""

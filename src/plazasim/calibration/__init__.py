"""Calibration: fit a scenario's uncertain parameters to the record with ABC-SMC.

``summaries`` puts runs and the record on the same footing, ``distance``
compares them, ``targets`` holds the Mexico record, ``space`` maps the priors to
pyabc, ``sampler`` makes pyabc's Dask sampler repeatable, ``abc_smc`` runs (and
resumes) a calibration and ``posterior_out`` writes its posterior. ``predictive``
re-runs the posterior over the whole period, ``fit_stats`` compares those runs with
the record, and ``fit_report`` with ``fit_plots`` writes the fit report. pyabc is an
optional dependency (the ``calibrate`` extra); only ``abc_smc``, ``sampler`` and
``posterior_out`` need it. docs/CALIBRATION.md explains the choices.
"""

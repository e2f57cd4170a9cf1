"""Tierscope's analytics library: store, loader, rules, tiers and the command line.

Nothing in this package imports Streamlit; the dashboard calls it, and so does
``python -m analytics``.
"""

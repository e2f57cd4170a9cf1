"""Dashboard-side helpers: cached connection, cached results, shared widgets.

Caching lives here, on the UI side only: ``st.cache_resource`` for the store and the
rules, ``st.cache_data`` for small results keyed on their inputs and the data version.
"""

"""Every Hypothesis strategy of the suite, one module per subsystem.

- :mod:`tests.strategies.expr`: condition-language sources (well typed, arbitrary, and
  arithmetic near the float limits) and the values they read.
- :mod:`tests.strategies.toml`: TOML documents, written in several styles with the place
  of each key noted.
- :mod:`tests.strategies.patients`: random patients, site files and answers to the shipped
  pack, and the drivers that run them through the product.
- :mod:`tests.strategies.timed`: visits over time (timed series, challenges, the rapid
  pathway's record, the patient's earlier injections, results after now), site protocol
  tables, and the public commands that judge them (``--now``, ``check --label``, ``walk
  --no-input``, ``note``).
- :mod:`tests.strategies.answers`: answers in the strict form ``schema answers``
  describes, drawn from the schema.

Test modules import strategies from here and use ``hypothesis.strategies`` only for
``st.data()``; ``tests/test_architecture.py`` keeps it so.
"""

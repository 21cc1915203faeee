"""A learned layer over the registration rules.

The rules propose every field; for `letter_date`, `subject` and `sender_org` they also yield *candidates*
(every date in the letter, every subject-like line, the organisation each sender rule finds), each described
by generic features (where the line sits relative to the letterhead, recipient block, salutation and
signature; label words; capitals; length; date form; gazetteer hits; whether the rule picked it). A
logistic regression ranks the candidates and its probability is the field's confidence. `sender_kind` is a
multinomial logistic regression over features of the chosen sender.

- `candidates.py`, `subject_candidates.py`, `sender_candidates.py`: candidates and features;
- `model.py`: the trained weights (a small JSON file, `services/registration/data/ranker.json`), loaded
  lazily, and how they are applied to the rules' proposal;
- `train.py`: fitting (scikit-learn), with the regularisation chosen by cross-validation over the letters.
Retrain: `.venv/bin/python bench/registration_train.py` (see its docstring).
"""

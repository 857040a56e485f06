"""Audience quality (issue 17): a profile-only fake-follower model.

profiles.py reads the labelled collections of ../shared/data/bot_detection, features.py
defines every feature once, train.py fits the logistic regression (scikit-learn),
evaluate.py measures it on collections it never saw, artefact.py writes the model as
readable JSON and scores profiles from that JSON alone (numpy, no scikit-learn)."""

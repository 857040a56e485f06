"""Audience quality (issue 17): a profile-only fake-follower model.

profiles.py reads the labelled collections of ../shared/data/bot_detection, features.py
defines every feature once, train.py fits the logistic regression (scikit-learn),
evaluate.py measures it on collections it never saw (mixed.py: mixed audiences;
evaluation_doc.py and mixed_doc.py: the committed Markdown; single_rules.py: Cresci's
single rules' measures, committed as JSON for the report), artefact.py writes the model
as readable JSON and scores profiles from that JSON alone (numpy, no scikit-learn),
build.py makes the committed document with its measured error, estimate.py turns flagged
counts into the corrected fake share and its interval, inputs.py reads profiles to score
and summary.py writes what `rapport audience score` gives."""

"""keelgrade - the lab grader's parts; scripts/grade is its command line.

scripts/grade grades a submission in four steps, one module each, so a
reader can follow one step without the others:

  submission.py  open a submission (a directory, a tar or zip archive),
                 rejecting archive members that escape it
  stage.py       lay the submission over the pristine tree in a fresh copy
  run.py         build it and boot each test through the harness, with limits
  report.py      the readable report, Gradescope's results.json, JUnit XML, CSV

manifest.py reads labs/NN-name/manifest.toml, pristine.py finds the tree
to grade against, and grading.py runs the steps for every submission.
common.py holds what they share. The package sits next to scripts/grade
so that a student tree's .grader/scripts/ carries both (labs/tree.toml
protects scripts/).
"""

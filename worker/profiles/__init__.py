"""Expertise profiles: who knows what, how deeply, how that grew, and who fits which role.

`update_profiles` folds tagged work into profiles (nightly: only what changed);
`load_profiles` reads them back; `evaluate_roles` ranks people against roles.yaml.
"""

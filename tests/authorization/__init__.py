"""The cases of the authorization matrix, by area (public, learner, speaker, studio, API); the policy
in words and the tests that run the cases are in tests/test_authorization_matrix.py."""

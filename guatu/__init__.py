"""Guatu (挂图): the platform a county uses to run its key-project programme."""

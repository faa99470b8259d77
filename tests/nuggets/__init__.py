"""Tests of the weekly nuggets domain."""

"""Lets `pytest tools/browser` run on its own (its tests need a built `lenscale`, not tools/)."""

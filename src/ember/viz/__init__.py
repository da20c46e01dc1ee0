"""``ember.viz``: pictures for learning. ``draw_graph`` draws the computation behind a tensor."""

from ember.viz.graph import ComputationGraph, draw_graph

__all__ = ["ComputationGraph", "draw_graph"]

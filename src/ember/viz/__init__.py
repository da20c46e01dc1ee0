"""``ember.viz``: pictures for learning. ``draw_graph`` draws the computation behind a tensor;
``plot_filters``, ``plot_activations``, ``plot_decision_boundary`` and ``plot_weight_histograms``
draw what a network learned (matplotlib figures, written as PNG with ``path=``)."""

from ember.viz.decision_boundary import plot_decision_boundary
from ember.viz.graph import ComputationGraph, draw_graph
from ember.viz.histograms import plot_weight_histograms
from ember.viz.layers import plot_activations, plot_filters

__all__ = ["ComputationGraph", "draw_graph", "plot_activations", "plot_decision_boundary",
           "plot_filters", "plot_weight_histograms"]

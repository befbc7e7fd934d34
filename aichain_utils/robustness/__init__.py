"""How robust is the evidence? Specification curve, omitted-variable sensitivity, multiple testing,
causal mediation and two-way fixed-effects weights (the robustness chapter)."""

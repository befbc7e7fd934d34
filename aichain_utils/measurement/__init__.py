"""The paper's indices (equations 6-18): entropy weights, ELRI, ERL, FSIE, ITSE, LCV and WCV."""

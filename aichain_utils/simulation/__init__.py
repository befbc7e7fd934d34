"""The simulated world: the data-generating process, its parameter tree and the world's sketch."""

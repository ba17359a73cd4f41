"""CycleGAN: the domain judge and the per-epoch translation monitor."""

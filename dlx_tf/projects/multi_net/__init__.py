"""Multi-Net: text-to-clip retrieval with a contrastive clip and text encoder."""

"""pix2pix: the segmentation judge of the FCN-score and the paired test evaluation."""

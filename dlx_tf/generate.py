"""`python -m dlx_tf.generate`: Austen-Net's text-generation command, kept at this short
name; it lives in `dlx_tf.projects.austen_net.generate`."""

import sys

from dlx_tf.projects.austen_net.generate import main

if __name__ == "__main__":
    sys.exit(main())

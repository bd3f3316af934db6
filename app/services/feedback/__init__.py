"""What people say about the figures: comments, ratings, rating prompts, peer raters, appeals and their effects."""

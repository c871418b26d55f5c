// WordPieceTokenizer: work in progress; see the open issue for this target.

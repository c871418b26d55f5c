// I3Retriever: work in progress; see the open issue for this target.

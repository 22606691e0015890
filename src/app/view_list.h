// The views of the main window, in tab order: one line each. ATTNSCOPE_VIEW(f) names a
// function `std::unique_ptr<ViewPage> f()` defined in the view's own file (view_registry.cpp
// expands this list twice: once to declare the functions, once to list them).
// No include guard: it is meant to be included more than once.
ATTNSCOPE_VIEW(makeHeadPage)
ATTNSCOPE_VIEW(makeOverviewPage)
ATTNSCOPE_VIEW(makeAlignmentPage)
ATTNSCOPE_VIEW(makeStepThroughPage)
ATTNSCOPE_VIEW(makeCensusPage)
ATTNSCOPE_VIEW(makeAblationPage)
ATTNSCOPE_VIEW(makeRolloutPage)
ATTNSCOPE_VIEW(makeComparePage)
ATTNSCOPE_VIEW(makeTimelinePage)
ATTNSCOPE_VIEW(makeEntropyPage)

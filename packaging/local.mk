# packaging: rules added by its component

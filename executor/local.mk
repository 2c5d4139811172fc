# executor: rules added by its component

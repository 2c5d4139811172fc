# sim: rules added by its component

"""tconv"""

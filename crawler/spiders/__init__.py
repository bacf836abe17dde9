# This package will contain the spiders of your Scrapy project
#
# Please refer to the documentation for information on how to create and manage
# your spiders.
"""The generic portal spider (crawler/spiders/portal.py); portals are data in crawler/registry.py."""
